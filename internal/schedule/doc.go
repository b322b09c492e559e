// Package schedule computes when a local-time reminder fires, exactly across
// DST changes.
//
// A reminder is a [Clock] (a local time of day), a set of [Weekdays] and a
// *time.Location. [Next] returns the next instant it fires: a local time
// skipped by a spring-forward change fires at the change itself, and a local
// time repeated by a fall-back change fires only at its first occurrence.
//
// The parsers read text typed by people in chat. Every error they return is
// an [*InputError] or a [*ZoneError] whose Error method is a complete,
// friendly sentence that quotes the user's text with %q, truncated to 64
// bytes; callers may show it as it is (with mentions disabled, since the
// quoted text is the user's own).
package schedule

import (
	_ "time/tzdata" // so that LoadZone works in a container without /usr/share/zoneinfo
)
