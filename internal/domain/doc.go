// Package domain holds needlebot's types and the small interfaces its adapters implement, in
// the way of Ben Johnson's wtf: every other package speaks these types, and this one imports
// nothing of needlebot but the schedule maths.
//
// Who owns data and where to deliver are two things. An Identity is an account on a platform
// ("tg:12345"); the store resolves it to an Owner, which is opaque: no package parses it, so
// linking a person's Telegram and Discord accounts into one diary is a change of mapping, not
// of keys. An Address is where a reminder goes (a platform and a chat) and is kept on the
// reminder; the due index a reminder waits in is chosen from its Address.
package domain
