// Package remind sends nightly reminders at each user's local time: it keeps the due index
// moving, claims due reminders with a lease so that any number of bot instances can run it
// without sending anything twice, and delivers through each front end's Notifier.
package remind
