// Package store keeps needlebot's per-user data in Redis, through go-redis's UniversalClient,
// so the same code runs on a single server, Sentinel or Cluster. With no Redis configured the
// bot runs an embedded miniredis and persists it to a snapshot file (see Embedded).
//
// # Key schema
//
// An owner (domain.Owner) is opaque: an account never linked owns its data under its identity
// ("tg:12345", "dc:98765", "console:local"), and linking moves both accounts into a fresh
// person ("p:" and hex). Owner is the one resolver from identity to owner; nothing parses an
// owner. Every key of one owner carries the owner in a hash tag, so the Lua scripts that touch
// several of them run on Redis Cluster; each platform's due index has its own tag, a reminder
// waits in the index of the platform it is delivered on (its Address), and a dispatcher claims
// only from the platforms it delivers to. Keys are built only from validated owners,
// identities, platforms and ids, never from message text.
//
//	key                        type    contents                                                 TTL
//	nb:id:IDENTITY             string  the person a linked identity belongs to                  none
//	nb:link:CODE               string  link code JSON {o, f, z, e}                              10 min
//	nb:merges                  hash    owner being moved by a link -> JSON {into, zone}         none, removed when done
//	nb:{OWNER}:p               hash    profile: tz (IANA zone), seq (last session id),          none
//	                                   rseq (last reminder id), lc:CODE (linked with),
//	                                   brk:FROM -> TO (a break, local dates)
//	nb:{OWNER}:i               set     a person's identities                                    none
//	nb:{OWNER}:f               set     ids of floating sessions (see domain.Session)            none
//	nb:{OWNER}:la              string  link codes tried                                         10 min
//	nb:{OWNER}:a               string  the yes-or-no question last asked (JSON domain.Question) its buttons' life, at most 10 min
//	nb:{OWNER}:s               hash    session id -> session JSON {at, mm, p, a, n, l, u, f, sk} none
//	nb:{OWNER}:t               zset    session id scored by when it happened (unix ms)          none
//	nb:{OWNER}:o               zset    session id scored by id (the order it was logged)        none
//	nb:{OWNER}:c               hash    usage counters: "mm:0.25", "p:peptides" -> count         none
//	nb:{OWNER}:k               hash    platform event id -> what it did (session id; "rm:" and  none, pruned after 48 h
//	                                   "rem:" for removals and reminders)
//	nb:{OWNER}:kt              zset    idempotency key scored by when it was used (unix ms)     none, pruned after 48 h
//	nb:{OWNER}:r               hash    reminder id -> reminder JSON {h, m, d, c, pl, t}         none
//	nb:{OWNER}:w               string  writes in the current rate-limit window                  the window (60 s)
//	nb:{due:PLATFORM}:q        zset    "OWNER|rID" scored by the next fire time (unix ms)       none
//	nb:{due:PLATFORM}:l        hash    "OWNER|rID" -> lease "token|due ms" while claimed        none, removed when settled
//	nb:{due:PLATFORM}:n        hash    "OWNER|rID|nag" -> "COUNT|MESSAGE" of a repeat to come    removed with the repeat
//	nb:bots                    hash    "tg:BOTID" / "dc:APPID" -> name: bots this Redis serves  none
//	nb:tg:BOTID:offset         string  the next update id this Telegram bot fetches             none
//	nb:tg:BOTID:ev:EVENT       string  "1" handled, "c:TOKEN" claimed by one delivery           48 h; a claim 90 s
//	nb:ev:EVENT, nb:tg:offset  string  before per-bot keys: marks no longer read; the offset    48 h; none
//	                                   taken once by InheritedOffset, checked by the poller
//	nb:secret                  string  the key that signs buttons, made once                    none
//	nb:migrated:reminder-platform string  set once Migrate gave old reminders their platform   none
//
// No production path uses KEYS; Forget deletes a fixed list of keys and the identities'
// mappings, and removes the owner's reminders from the due indexes.
package store
