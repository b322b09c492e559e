package commands

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/schedule"
	"github.com/needlebot/needlebot/internal/text"
)

// Linking: /link on one platform gives a one-time code; sending it on the other makes both
// accounts one person with one diary. The store does the merge; this file talks about it.

const linkFor = 10 * time.Minute // how long a link code works

// codeShape is a link code as the bot writes it: six capitals and digits, with both.
var codeShape = regexp.MustCompile(`^[A-Z2-9]{6}$`)

func looksLikeCode(s string) bool {
	s = strings.TrimSpace(s)
	return codeShape.MatchString(s) && strings.ContainsAny(s, "23456789") && strings.IndexFunc(s, func(r rune) bool { return r >= 'A' && r <= 'Z' }) >= 0
}

func (b *Bot) addLinking() {
	b.add(Command{
		Name: "link", Summary: "Join your Telegram and Discord accounts into one diary", Usage: "[code]", Private: true,
		Options: []Option{{Name: "code", Summary: "The code /link gave you on the other app", MaxLength: 12}},
	}, b.link)
	b.add(Command{Name: "unlink", Summary: "Split linked accounts again; the diary stays here", Private: true}, b.unlink)
}

func (b *Bot) link(ctx context.Context, req *Request) (domain.Reply, error) {
	if code := strings.TrimSpace(req.Text); code != "" {
		return b.redeem(ctx, req, code)
	}
	owner, err := b.ownerOf(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	zone, err := b.store.Zone(ctx, owner)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	c, err := b.store.NewLinkCode(ctx, domain.LinkCode{Owner: owner, From: req.Identity(), Zone: zone, Expires: b.now().Add(linkFor)})
	if errors.Is(err, domain.ErrRateLimited) {
		return domain.Reply{Private: true}, busy(err, "")
	}
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	other := "Discord"
	if req.Platform == domain.Discord {
		other = "Telegram"
	}
	return domain.Reply{Title: "Your link code: " + c.Code, Private: true, Text: fmt.Sprintf(
		"Send /link %s to me on %s within 10 minutes. Your two accounts then share one diary: sessions, reminders and time zone. The code works once; don't share it.", c.Code, other)}, nil
}

// linkMessage treats a message that is only a link code as /link CODE.
func (b *Bot) linkMessage(ctx context.Context, req *Request) (domain.Reply, bool, error) {
	if !looksLikeCode(req.Text) {
		return domain.Reply{}, false, nil
	}
	r, err := b.redeem(ctx, req, req.Text)
	return r, true, err
}

// redeem checks a code sent on the second platform, asks about a time-zone clash, and links.
func (b *Bot) redeem(ctx context.Context, req *Request, code string) (domain.Reply, error) {
	by := req.Identity()
	c, err := b.store.PeekLinkCode(ctx, code, by)
	switch {
	case errors.Is(err, domain.ErrRateLimited):
		return domain.Reply{Private: true}, &domain.Error{Msg: "That's too many codes tried; please wait 10 minutes and ask for a new one with /link on the other app.", Err: err}
	case errors.Is(err, domain.ErrLinkCode):
		// A code used up already: by the same account on a redelivered message, the link
		// stands and is said again; anyone else hears the code doesn't work.
		person, lerr := b.store.Link(ctx, code, by, "")
		switch {
		case lerr == nil:
			return b.linked(ctx, req, person, "")
		case !errors.Is(lerr, domain.ErrLinkCode):
			return domain.Reply{Private: true}, lerr
		}
		return domain.Reply{Private: true}, &domain.Error{Msg: "That code doesn't work: codes last 10 minutes and work once. Ask for a new one with /link on the other app.", Err: err}
	case err != nil:
		return domain.Reply{Private: true}, err
	}
	if c.From == by {
		return domain.Reply{Text: "That's the code for this account. Send it to me from your other account, on the other app.", Private: true}, nil
	}
	owner, err := b.ownerOf(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	mine, err := b.store.Zone(ctx, owner)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	if mine != "" && c.Zone != "" && mine != c.Zone {
		exp := c.Expires
		return domain.Reply{
			Title:   "Which time zone?",
			Text:    fmt.Sprintf("Your %s account is set to %s and this one to %s. Which should the shared diary use?", c.From.Platform.Name(), c.Zone, mine),
			Private: true,
			Buttons: [][]domain.Button{{
				{Label: c.Zone, Data: b.sign.sign(owner, "link", c.Code+"_0", exp)},
				{Label: mine, Data: b.sign.sign(owner, "link", c.Code+"_1", exp)},
			}},
		}, nil
	}
	zone := mine
	if zone == "" {
		zone = c.Zone
	}
	return b.joinAccounts(ctx, req, c, zone)
}

// linkButton links with the time zone the user picked.
func (b *Bot) linkButton(ctx context.Context, req *Request, arg string) (domain.Reply, error) {
	code, pick, ok := strings.Cut(arg, "_")
	if !ok || (pick != "0" && pick != "1") {
		return domain.Reply{}, errStaleButton
	}
	c, err := b.store.PeekLinkCode(ctx, code, req.Identity())
	if errors.Is(err, domain.ErrLinkCode) {
		return domain.Reply{Private: true}, &domain.Error{Msg: "That code no longer works. Ask for a new one with /link on the other app.", Err: err}
	}
	if err != nil {
		return b.redeem(ctx, req, code) // says what went wrong
	}
	zone := c.Zone
	if pick == "1" {
		owner, err := b.ownerOf(ctx, req)
		if err != nil {
			return domain.Reply{Private: true}, err
		}
		if zone, err = b.store.Zone(ctx, owner); err != nil {
			return domain.Reply{Private: true}, err
		}
	}
	return b.joinAccounts(ctx, req, c, zone)
}

func (b *Bot) joinAccounts(ctx context.Context, req *Request, c domain.LinkCode, zone string) (domain.Reply, error) {
	person, err := b.store.Link(ctx, c.Code, req.Identity(), zone)
	switch {
	case errors.Is(err, domain.ErrLinked):
		return domain.Reply{Private: true}, &domain.Error{Msg: fmt.Sprintf("Your other account is linked to a %s account already. Send /unlink there first.", req.Platform.Name()), Err: err}
	case errors.Is(err, domain.ErrLinkCode):
		return domain.Reply{Private: true}, &domain.Error{Msg: "That code doesn't work: codes last 10 minutes and work once. Ask for a new one with /link on the other app.", Err: err}
	case err != nil:
		return domain.Reply{Private: true}, err
	}
	return b.linked(ctx, req, person, zone)
}

// linked says what the person's diary holds now that the accounts are one.
func (b *Bot) linked(ctx context.Context, req *Request, person domain.Owner, zone string) (domain.Reply, error) {
	ids, err := b.store.Identities(ctx, person)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	var others []string
	for _, id := range ids {
		if id != req.Identity() {
			others = append(others, id.Platform.Name())
		}
	}
	if zone == "" {
		if zone, err = b.store.Zone(ctx, person); err != nil {
			return domain.Reply{Private: true}, err
		}
	}
	times, err := b.store.SessionTimes(ctx, person) // a count: the sessions themselves are not needed
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	rems, err := b.nightly(ctx, person)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	text := fmt.Sprintf("This %s account and your %s account now share one diary: %d session%s and %d reminder%s.",
		req.Platform.Name(), strings.Join(others, " and "), len(times), text.Plural(len(times)), len(rems), text.Plural(len(rems)))
	if zone != "" {
		text += " Time zone: " + zone + "."
	}
	if len(rems) > 0 {
		text += fmt.Sprintf(" Reminders arrive on %s, each where it was set; /remind where %s sends them all here.", arrivals(rems), strings.ToLower(req.Platform.Name()))
	}
	text += " /unlink splits the accounts again."
	return domain.Reply{Title: "Linked", Text: text, Private: true}, nil
}

func (b *Bot) unlink(ctx context.Context, req *Request) (domain.Reply, error) {
	ok, err := b.store.Unlink(ctx, req.Identity())
	switch {
	case errors.Is(err, domain.ErrRateLimited):
		return domain.Reply{Private: true}, busy(err, "changed")
	case err != nil:
		return domain.Reply{Private: true}, err
	case !ok:
		return domain.Reply{Text: "This account isn't linked to another one. /link links it.", Private: true}, nil
	}
	return domain.Reply{Title: "Unlinked", Private: true, Text: fmt.Sprintf(
		"Your diary, reminders and time zone stay with this %s account; your other account starts afresh. Reminders now arrive here.", req.Platform.Name())}, nil
}

// remindWhere shows or changes the platform reminders arrive on.
func (b *Bot) remindWhere(ctx context.Context, req *Request, words []string) (domain.Reply, error) {
	owner, err := b.ownerOf(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	ids, err := b.store.Identities(ctx, owner)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	if len(ids) == 0 {
		ids = []domain.Identity{req.Identity()}
	}
	list, err := b.store.ListReminders(ctx, owner)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	var names []string
	for _, id := range ids {
		names = append(names, strings.ToLower(id.Platform.Name()))
	}
	if len(words) == 0 {
		where := req.Platform.Name()
		if len(list) > 0 {
			where = arrivals(list)
		}
		text := fmt.Sprintf("Your reminders arrive on %s.", where)
		if len(ids) > 1 {
			text += " Change it with /remind where " + strings.Join(names, " or ") + "."
		} else {
			text += " Link your other account with /link to get them there instead."
		}
		return domain.Reply{Text: text, Private: true}, nil
	}
	p, ok := domain.ParsePlatform(words[0])
	var to domain.Identity
	for _, id := range ids {
		if ok && id.Platform == p {
			to = id
		}
	}
	if !to.Valid() {
		return domain.Reply{Private: true}, domain.Errorf("I can send reminders to %s. To get them on another app, link it first with /link.", strings.Join(names, " or "))
	}
	if len(list) == 0 {
		return domain.Reply{Text: "You have no reminders yet. Set one with /remind set 21:30 and it arrives where you set it.", Private: true}, nil
	}
	loc, _, err := b.location(ctx, owner)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	now := b.now()
	for _, r := range list {
		if r.To == domain.DirectTo(to) {
			continue
		}
		r.To = domain.DirectTo(to)
		err := b.store.UpdateReminder(ctx, owner, r, schedule.Next(r.Clock, r.Days, loc, now))
		if errors.Is(err, domain.ErrRateLimited) {
			return domain.Reply{Private: true}, busy(err, "")
		}
		if err != nil && !errors.Is(err, domain.ErrGone) {
			return domain.Reply{Private: true}, err
		}
	}
	return domain.Reply{Text: fmt.Sprintf("Your reminders now arrive on %s.", to.Platform.Name()), Private: true}, nil
}
