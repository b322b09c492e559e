package discord

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/needlebot/needlebot/internal/commands"
	"github.com/needlebot/needlebot/internal/domain"
)

// respondFunc sends an interaction's one initial response: a REST callback for gateway
// interactions, the HTTP response for the interactions endpoint.
type respondFunc func(*discordgo.InteractionResponse) error

func (d *Discord) onInteraction(s *discordgo.Session, e *discordgo.InteractionCreate) {
	if d.current(s) == nil {
		return // a session given up: its events are another instance's now
	}
	in := e.Interaction
	d.spawn("interaction", func(ctx context.Context) {
		d.interact(ctx, in, func(resp *discordgo.InteractionResponse) error {
			return d.s.InteractionRespond(in, resp, discordgo.WithContext(ctx))
		}, true)
	})
}

// interact answers one interaction. inlineFiles says whether the initial response can carry
// an attachment (over HTTP it cannot, so a reply with a file is deferred and then edited).
func (d *Discord) interact(ctx context.Context, in *discordgo.Interaction, respond respondFunc, inlineFiles bool) {
	switch in.Type {
	case discordgo.InteractionApplicationCommandAutocomplete:
		d.autocomplete(ctx, in, respond)
	case discordgo.InteractionApplicationCommand, discordgo.InteractionMessageComponent:
		d.answer(ctx, in, respond, inlineFiles)
	}
}

// deferral is the acknowledgement sent when a reply will come later: type 5 (a new message,
// maybe ephemeral, "thinking…") or type 6 (the message with the button will be updated).
type deferral struct {
	kind      discordgo.InteractionResponseType
	ephemeral bool
}

func (f deferral) response() *discordgo.InteractionResponse {
	r := &discordgo.InteractionResponse{Type: f.kind}
	if f.ephemeral {
		r.Data = &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}
	}
	return r
}

// answer runs a command or button press and replies within Discord's 3-second window: a
// command described as Slow is deferred at once, any other is deferred when the bot has not
// answered after DeferAfter, and a deferred reply then edits the original response.
func (d *Discord) answer(ctx context.Context, in *discordgo.Interaction, respond respondFunc, inlineFiles bool) {
	req, spec, ok := d.request(in)
	if !ok {
		d.log.Warn("discord: interaction without a user or data ignored", "type", in.Type.String())
		return
	}
	replies := make(chan domain.Reply, 1)
	go func() { replies <- d.bot.Respond(ctx, req) }()

	reply, answered := domain.Reply{}, false
	if !spec.Slow {
		timer := time.NewTimer(d.deferAfter)
		select {
		case reply = <-replies:
			answered = true
		case <-timer.C:
		}
		timer.Stop()
	}
	var deferred *deferral
	if !answered {
		// The deferral is chosen before the reply exists: a command that is private by
		// description is acknowledged privately, a button press defers an update.
		deferred = &deferral{kind: discordgo.InteractionResponseDeferredChannelMessageWithSource, ephemeral: spec.Private && !req.Private}
		if in.Type == discordgo.InteractionMessageComponent {
			deferred = &deferral{kind: discordgo.InteractionResponseDeferredMessageUpdate}
		}
		if err := respond(deferred.response()); err != nil {
			d.failed("defer", err)
			return
		}
		reply = <-replies
	}
	d.deliver(ctx, in, req, reply, deferred, respond, inlineFiles)
}

// deliver sends a reply: in the initial response when nothing was deferred, else by editing
// the deferred response. A private reply in a server is ephemeral; a button's reply replaces
// the message that carried the button, unless the reply is private and that message is not.
func (d *Discord) deliver(ctx context.Context, in *discordgo.Interaction, req *commands.Request, reply domain.Reply,
	deferred *deferral, respond respondFunc, inlineFiles bool) {
	out := d.render(reply)
	ephemeral := reply.Private && !req.Private
	update := in.Type == discordgo.InteractionMessageComponent &&
		(!ephemeral || in.Message != nil && in.Message.Flags&discordgo.MessageFlagsEphemeral != 0)
	var flags discordgo.MessageFlags
	if ephemeral {
		flags = discordgo.MessageFlagsEphemeral
	}

	if deferred == nil && (inlineFiles || out[len(out)-1].file == nil) {
		resp := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: out[0].response(flags)}
		if update {
			resp = &discordgo.InteractionResponse{Type: discordgo.InteractionResponseUpdateMessage, Data: out[0].response(0)}
		}
		if err := respond(resp); err != nil {
			d.failed("respond", err)
			return
		}
		d.followups(ctx, in, out[1:], flags)
		return
	}
	if deferred == nil { // an attachment the initial response cannot carry
		deferred = &deferral{kind: discordgo.InteractionResponseDeferredChannelMessageWithSource, ephemeral: ephemeral}
		if update {
			deferred = &deferral{kind: discordgo.InteractionResponseDeferredMessageUpdate}
		}
		if err := respond(deferred.response()); err != nil {
			d.failed("defer", err)
			return
		}
	}

	if deferred.kind == discordgo.InteractionResponseDeferredMessageUpdate && update ||
		deferred.kind == discordgo.InteractionResponseDeferredChannelMessageWithSource && (deferred.ephemeral || !ephemeral) {
		if _, err := d.s.InteractionResponseEdit(in, out[0].edit(), discordgo.WithContext(ctx)); err != nil {
			d.failed("edit", err)
			return
		}
		if deferred.ephemeral {
			flags = discordgo.MessageFlagsEphemeral
		}
		d.followups(ctx, in, out[1:], flags)
		return
	}
	// The acknowledgement was public and the reply is private: take the public "thinking…"
	// away, or leave the public message with the button alone, and answer privately.
	if deferred.kind == discordgo.InteractionResponseDeferredChannelMessageWithSource {
		if err := d.s.InteractionResponseDelete(in, discordgo.WithContext(ctx)); err != nil {
			d.failed("delete", err)
		}
	}
	d.followups(ctx, in, out, discordgo.MessageFlagsEphemeral)
}

// followups sends the rest of a reply that did not fit one message.
func (d *Discord) followups(ctx context.Context, in *discordgo.Interaction, out []message, flags discordgo.MessageFlags) {
	for _, m := range out {
		if _, err := d.s.FollowupMessageCreate(in, true, m.followup(flags), discordgo.WithContext(ctx)); err != nil {
			d.failed("follow-up", err)
			return
		}
	}
}

// failed logs a reply that could not be delivered; there is no one else to tell.
func (d *Discord) failed(step string, err error) {
	d.log.Error("discord: reply not delivered", "step", step, "err", d.fail(step, err))
}

// request translates an interaction. A slash command's subcommand comes first in Args,
// followed by the option values in the order the command declares them; a button press
// carries its custom id.
func (d *Discord) request(in *discordgo.Interaction) (*commands.Request, commands.Command, bool) {
	user := in.User
	if in.Member != nil && in.Member.User != nil {
		user = in.Member.User
	}
	if user == nil || in.Data == nil {
		return nil, commands.Command{}, false
	}
	req := &commands.Request{
		ID:       "dc:i:" + in.ID,
		Platform: domain.Discord,
		UserID:   user.ID,
		ChatID:   in.ChannelID,
		Private:  in.GuildID == "" && in.Context != discordgo.InteractionContextPrivateChannel,
		Time:     d.when(in.ID),
	}
	switch data := in.Data.(type) {
	case discordgo.ApplicationCommandInteractionData:
		spec := d.specs[data.Name]
		req.Command = data.Name
		declared, opts := spec.Options, data.Options
		if len(opts) == 1 && opts[0].Type == discordgo.ApplicationCommandOptionSubCommand {
			req.Args = append(req.Args, opts[0].Name)
			declared = nil
			for _, sub := range spec.Subs {
				if sub.Name == opts[0].Name {
					declared = sub.Options
				}
			}
			opts = opts[0].Options
		}
		for _, o := range opts {
			if req.Options == nil {
				req.Options = map[string]string{}
			}
			req.Options[o.Name] = optionValue(o)
		}
		for _, o := range declared {
			if v, ok := req.Options[o.Name]; ok {
				req.Args = append(req.Args, v)
			}
		}
		req.Text = strings.Join(req.Args, " ")
		return req, spec, true
	case discordgo.MessageComponentInteractionData:
		req.Button = data.CustomID
		return req, commands.Command{}, true
	}
	return nil, commands.Command{}, false
}

// when is the time a snowflake id was made, or now when the id is not one.
func (d *Discord) when(id string) time.Time {
	t, err := discordgo.SnowflakeTimestamp(id)
	if err != nil || id == "" {
		return d.now()
	}
	return t
}

// optionValue formats an option's value plainly: numbers as "0.5" and "3", not "5e-01".
func optionValue(o *discordgo.ApplicationCommandInteractionDataOption) string {
	switch v := o.Value.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case nil:
		return ""
	}
	return fmt.Sprint(o.Value)
}

// autocomplete answers with up to 25 values for the option being typed.
func (d *Discord) autocomplete(ctx context.Context, in *discordgo.Interaction, respond respondFunc) {
	data, ok := in.Data.(discordgo.ApplicationCommandInteractionData)
	if !ok {
		return
	}
	command, opts := data.Name, data.Options
	if len(opts) == 1 && opts[0].Type == discordgo.ApplicationCommandOptionSubCommand {
		command += " " + opts[0].Name
		opts = opts[0].Options
	}
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	for _, o := range opts {
		if !o.Focused {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, completeTimeout)
		values := d.bot.Complete(cctx, command, o.Name, optionValue(o))
		cancel()
		for _, v := range values {
			if len(choices) == maxChoices {
				break
			}
			if v == "" || utf8.RuneCountInString(v) > maxChoiceChars {
				continue
			}
			var value any = v
			if o.Type == discordgo.ApplicationCommandOptionNumber || o.Type == discordgo.ApplicationCommandOptionInteger {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil {
					continue
				}
				value = f
			}
			choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: v, Value: value})
		}
	}
	err := respond(&discordgo.InteractionResponse{
		Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices},
	})
	if err != nil {
		d.failed("autocomplete", err)
	}
}
