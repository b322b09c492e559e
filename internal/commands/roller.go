package commands

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/needlebot/needlebot/internal/domain"
	txt "github.com/needlebot/needlebot/internal/text"
)

// /roller new 0.25 [name] starts counting sessions on a roller; /stats then shows the
// sessions and days on it, and a session logged with another needle length asks which is
// right. The bot gives no advice on when to replace a roller: the guidance does not cover it.

// maxRollerName is the longest name a roller keeps.
const maxRollerName = 40

func (b *Bot) addRoller() {
	b.add(Command{
		Name: "roller", Summary: "The roller you use: /roller new 0.25 [name], or /roller to see it", Usage: "[new <mm> [name]]", Private: true,
		Subs: []Sub{
			{Name: "new", Summary: "Start counting sessions on a new roller", Options: []Option{
				{Name: "mm", Summary: "Its needle length in mm, e.g. 0.25", Type: Number, Min: domain.MinNeedleMM, Max: domain.MaxNeedleMM, Required: true},
				{Name: "name", Summary: "A name for it, e.g. the brand", MaxLength: maxRollerName},
			}},
		},
	}, b.roller)
}

const rollerUsage = "Tell me about your roller: /roller new 0.25, or with a name, /roller new 0.25 titanium. I'll count your sessions on it."

// parseMM reads a needle length: "0.25", "0,25", ".25", "0.25mm".
func parseMM(s string) (float64, bool) {
	s = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), "mm")
	v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
	if err != nil || math.IsNaN(v) || v < domain.MinNeedleMM || v > domain.MaxNeedleMM {
		return 0, false
	}
	return math.Round(v*100) / 100, true
}

func (b *Bot) roller(ctx context.Context, req *Request) (domain.Reply, error) {
	owner, loc, _, err := b.whose(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, readError(err)
	}
	if len(req.Args) == 0 {
		r, ok, err := b.store.Roller(ctx, owner)
		if err != nil {
			return domain.Reply{Private: true}, readError(err)
		}
		if !ok {
			return domain.Reply{Text: rollerUsage, Private: true}, nil
		}
		line, err := b.rollerLine(ctx, owner, r, loc)
		if err != nil {
			return domain.Reply{Private: true}, readError(err)
		}
		return domain.Reply{Title: "Your roller", Text: line + "\n\nGot a new one? /roller new 0.25", Private: true}, nil
	}
	if !strings.EqualFold(req.Args[0], "new") || len(req.Args) < 2 {
		return domain.Reply{Private: true}, domain.Errorf("%s", rollerUsage)
	}
	mm, ok := parseMM(req.Args[1])
	if !ok {
		return domain.Reply{Private: true}, domain.Errorf("%q isn't a needle length I can keep: home rollers are %s to %s mm (the guidance suggests %s mm). %s",
			txt.Clip(req.Args[1], 16), txt.FormatMM(domain.MinNeedleMM), txt.FormatMM(domain.MaxNeedleMM), txt.FormatMM(b.kb.Facts().HomeMM), rollerUsage)
	}
	name := strings.Join(strings.Fields(strings.Join(req.Args[2:], " ")), " ")
	if n := len([]rune(name)); n > maxRollerName {
		return domain.Reply{Private: true}, domain.Errorf("That name is %d characters; keep it to %d.", n, maxRollerName)
	}
	return b.newRoller(ctx, owner, domain.Roller{MM: mm, Name: name, Since: b.now()}, loc)
}

// newRoller keeps a roller from now on and says so, with the guidance's word on its needle.
func (b *Bot) newRoller(ctx context.Context, owner domain.Owner, r domain.Roller, loc *time.Location) (domain.Reply, error) {
	switch err := b.store.SetRoller(ctx, owner, r); {
	case errors.Is(err, domain.ErrRateLimited):
		return domain.Reply{Private: true}, busy(err, "saved")
	case err != nil:
		return domain.Reply{Private: true}, err
	}
	text := fmt.Sprintf("New roller: %s. I'll count your sessions on it from now; /stats shows them.", rollerName(r))
	if home := b.kb.Facts().HomeMM; r.MM > home {
		text += fmt.Sprintf("\n\nThe guidance suggests %s mm for use at home; longer needles are for a professional. /needle larger says why.", txt.FormatMM(home))
	}
	return domain.Reply{Title: "Roller", Text: text, Private: true}, nil
}

// rollerName is "0.25 mm" or "0.25 mm “titanium”".
func rollerName(r domain.Roller) string {
	if r.Name == "" {
		return txt.FormatMM(r.MM) + " mm"
	}
	return fmt.Sprintf("%s mm “%s”", txt.FormatMM(r.MM), r.Name)
}

// rollerLine says how long the roller has been used: "Roller: 0.25 mm, since Tue 1 Dec: 4
// sessions in 3 days."
func (b *Bot) rollerLine(ctx context.Context, owner domain.Owner, r domain.Roller, loc *time.Location) (string, error) {
	list, err := b.store.SessionsBetween(ctx, owner, r.Since.Add(-12*time.Hour), b.now().Add(time.Second))
	if err != nil {
		return "", err
	}
	n := 0
	for _, e := range list {
		if !e.Logged.Before(r.Since) { // logged since it was started, whenever they happened
			n++
		}
	}
	start := localToday(r.Since, loc)
	days := int(localToday(b.now(), loc).Sub(start).Hours()/24+0.5) + 1
	return fmt.Sprintf("Roller: %s, since %s: %d session%s in %d day%s.", rollerName(r), r.Since.In(loc).Format("Mon 2 Jan"), n, txt.Plural(n), days, txt.Plural(days)), nil
}

// rollerCheck asks, under a logged session whose needle differs from the current roller's,
// which is right: a button fixes the entry to the roller's length, the other starts a new
// roller with the logged one.
func (b *Bot) rollerCheck(ctx context.Context, owner domain.Owner, reply *domain.Reply, added domain.Added, s domain.Session) {
	if s.NeedleMM <= 0 {
		return
	}
	r, ok, err := b.store.Roller(ctx, owner)
	if err != nil || !ok || math.Abs(r.MM-s.NeedleMM) < 0.005 {
		return
	}
	exp := b.now().Add(undoFor)
	arg := sessionStamp(added.ID, added.Logged)
	logged := txt.FormatMM(s.NeedleMM)
	reply.Text += fmt.Sprintf("\n\nYour roller is %s, but this says %s mm. Which is right?", rollerName(r), logged)
	reply.Buttons = append(reply.Buttons, []domain.Button{
		{Label: txt.FormatMM(r.MM) + " mm: fix this entry", Data: b.sign.sign(owner, "roller", arg+"_fix", exp)},
		{Label: logged + " mm: a new roller", Data: b.sign.sign(owner, "roller", arg+"_new", exp)},
	})
}

// rollerButton answers rollerCheck's question.
func (b *Bot) rollerButton(ctx context.Context, req *Request, arg string) (domain.Reply, error) {
	ref, choice, _ := strings.Cut(arg, "_")
	id, logged, ok := unstampSession(ref)
	if !ok || choice != "fix" && choice != "new" {
		return domain.Reply{}, errStaleButton
	}
	owner, loc, _, err := b.whose(ctx, req)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	e, found, err := b.stampedSession(ctx, owner, id, logged)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	if !found {
		return domain.Reply{Text: "That session is no longer in your diary, so I changed nothing.", Private: true}, nil
	}
	if choice == "new" {
		return b.newRoller(ctx, owner, domain.Roller{MM: e.NeedleMM, Since: e.Logged}, loc)
	}
	r, ok, err := b.store.Roller(ctx, owner)
	if err != nil {
		return domain.Reply{Private: true}, err
	}
	if !ok {
		return domain.Reply{}, errStaleButton
	}
	s := e.Session
	s.NeedleMM = r.MM
	switch _, _, err := b.store.EditSession(ctx, owner, id, s); {
	case errors.Is(err, domain.ErrRateLimited):
		return domain.Reply{Private: true}, busy(err, "changed")
	case err != nil:
		return domain.Reply{Private: true}, err
	}
	return domain.Reply{Text: fmt.Sprintf("Fixed: #%d is now %s.", id, describe(s, loc, b.now())), Private: true}, nil
}
