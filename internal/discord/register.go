package discord

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/needlebot/needlebot/internal/commands"
)

// Discord's limits on slash commands.
const (
	maxCommands    = 100  // global or per-guild chat commands
	maxOptions     = 25   // subcommands or options at one level
	maxDescription = 100  // characters in a description
	maxCommandSize = 4000 // characters in a command's names, descriptions and choices together
	maxStringLen   = 6000 // the largest max_length of a string option
)

var commandName = regexp.MustCompile(`^[-_\p{L}\p{N}]{1,32}$`)

// Where the commands work: the app can be added to a server or to a user's own account, and
// its commands are used in servers, in DMs with the bot and in group DMs. In a server,
// members who may send messages may use them by default; admins can narrow that in the
// server's Integrations settings.
var (
	installs     = []discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall, discordgo.ApplicationIntegrationUserInstall}
	contexts     = []discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM, discordgo.InteractionContextPrivateChannel}
	memberCanUse = int64(discordgo.PermissionSendMessages)
)

// appCommands generates the slash commands from the command descriptions: subcommands
// become options of type 1 with their own options, and options keep their declared order.
func appCommands(cmds []commands.Command) []*discordgo.ApplicationCommand {
	out := make([]*discordgo.ApplicationCommand, 0, len(cmds))
	for _, c := range cmds {
		ac := &discordgo.ApplicationCommand{
			Type: discordgo.ChatApplicationCommand, Name: c.Name, Description: c.Summary,
			IntegrationTypes: &installs, Contexts: &contexts, DefaultMemberPermissions: &memberCanUse,
		}
		for _, s := range c.Subs {
			sub := &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: s.Name, Description: s.Summary}
			for _, o := range s.Options {
				sub.Options = append(sub.Options, appOption(o))
			}
			ac.Options = append(ac.Options, sub)
		}
		for _, o := range c.Options {
			ac.Options = append(ac.Options, appOption(o))
		}
		out = append(out, ac)
	}
	return out
}

func appOption(o commands.Option) *discordgo.ApplicationCommandOption {
	ao := &discordgo.ApplicationCommandOption{Name: o.Name, Description: o.Summary, Required: o.Required, Autocomplete: o.Autocomplete}
	switch o.Type {
	case commands.Number, commands.Integer:
		ao.Type = discordgo.ApplicationCommandOptionNumber
		if o.Type == commands.Integer {
			ao.Type = discordgo.ApplicationCommandOptionInteger
		}
		if o.Max > o.Min {
			lo := o.Min
			ao.MinValue, ao.MaxValue = &lo, o.Max
		}
	default:
		ao.Type = discordgo.ApplicationCommandOptionString
		ao.MaxLength = o.MaxLength
	}
	return ao
}

// validate checks the slash commands against Discord's limits, so that a description Discord
// would refuse fails at start-up with every problem named.
func validate(cmds []*discordgo.ApplicationCommand) error {
	var errs []error
	if len(cmds) > maxCommands {
		errs = append(errs, fmt.Errorf("discord: %d commands, Discord allows %d", len(cmds), maxCommands))
	}
	seen := map[string]bool{}
	for _, c := range cmds {
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("discord: command %q: %s", c.Name, fmt.Sprintf(format, args...)))
		}
		if seen[c.Name] {
			bad("registered twice")
		}
		seen[c.Name] = true
		checkName(c.Name, c.Description, bad)
		size := utf8.RuneCountInString(c.Name) + utf8.RuneCountInString(c.Description)
		size += checkOptions(c.Options, 0, bad)
		if size > maxCommandSize {
			bad("%d characters of names and descriptions, Discord allows %d", size, maxCommandSize)
		}
	}
	return errors.Join(errs...)
}

func checkName(name, description string, bad func(string, ...any)) {
	if !commandName.MatchString(name) || name != strings.ToLower(name) {
		bad("name %q must be 1 to 32 lower-case letters, digits, - or _", name)
	}
	if n := utf8.RuneCountInString(description); n < 1 || n > maxDescription {
		bad("description of %q has %d characters, Discord allows 1 to %d", name, n, maxDescription)
	}
}

// checkOptions checks one level of options and returns how many characters they add.
func checkOptions(opts []*discordgo.ApplicationCommandOption, depth int, bad func(string, ...any)) int {
	if len(opts) > maxOptions {
		bad("%d options at one level, Discord allows %d", len(opts), maxOptions)
	}
	size, subs, optional := 0, 0, false
	seen := map[string]bool{}
	for _, o := range opts {
		checkName(o.Name, o.Description, bad)
		if seen[o.Name] {
			bad("option %q appears twice", o.Name)
		}
		seen[o.Name] = true
		size += utf8.RuneCountInString(o.Name) + utf8.RuneCountInString(o.Description)
		if o.Type == discordgo.ApplicationCommandOptionSubCommand {
			subs++
			if depth > 0 {
				bad("subcommand %q inside a subcommand", o.Name)
			}
			size += checkOptions(o.Options, depth+1, bad)
			continue
		}
		if o.Required && optional {
			bad("required option %q after an optional one", o.Name)
		}
		optional = optional || !o.Required
		if o.MaxLength < 0 || o.MaxLength > maxStringLen {
			bad("option %q: max_length %d, Discord allows up to %d", o.Name, o.MaxLength, maxStringLen)
		}
	}
	if subs > 0 && subs < len(opts) {
		bad("subcommands mixed with options")
	}
	return size
}

// shape is what registration compares: the fields this package sets, without the ids,
// versions and defaults Discord adds.
type shape struct {
	Type                   int
	Name, Description      string
	Required, Autocomplete bool
	Min, Max               string
	MaxLength              int
	Choices                []string
	Options                []shape
	Installs, Contexts     string // of a command: where it works
	Permissions            string // of a command: who in a server may use it by default
}

func commandShapes(cmds []*discordgo.ApplicationCommand) map[string]shape {
	out := map[string]shape{}
	for _, c := range cmds {
		t := c.Type
		if t == 0 {
			t = discordgo.ChatApplicationCommand
		}
		s := shape{Type: int(t), Name: c.Name, Description: c.Description, Options: optionShapes(c.Options)}
		if c.IntegrationTypes != nil {
			s.Installs = fmt.Sprint(*c.IntegrationTypes)
		}
		if c.Contexts != nil {
			s.Contexts = fmt.Sprint(*c.Contexts)
		}
		if c.DefaultMemberPermissions != nil {
			s.Permissions = strconv.FormatInt(*c.DefaultMemberPermissions, 10)
		}
		out[c.Name] = s
	}
	return out
}

func optionShapes(opts []*discordgo.ApplicationCommandOption) []shape {
	var out []shape
	for _, o := range opts {
		s := shape{
			Type: int(o.Type), Name: o.Name, Description: o.Description,
			Required: o.Required, Autocomplete: o.Autocomplete, MaxLength: o.MaxLength,
			Options: optionShapes(o.Options),
		}
		if o.MinValue != nil {
			s.Min = strconv.FormatFloat(*o.MinValue, 'g', -1, 64)
		}
		if o.MaxValue != 0 {
			s.Max = strconv.FormatFloat(o.MaxValue, 'g', -1, 64)
		}
		for _, c := range o.Choices {
			s.Choices = append(s.Choices, fmt.Sprintf("%s=%v", c.Name, c.Value))
		}
		out = append(out, s)
	}
	return out
}

// sameCommands reports whether the registered commands already match the generated ones, in
// everything but order of the commands themselves.
func sameCommands(remote, local []*discordgo.ApplicationCommand) bool {
	return reflect.DeepEqual(commandShapes(remote), commandShapes(local))
}

// register overwrites the slash commands in one bulk call, and only when they changed:
// global commands take a while to reach every client, and an overwrite counts against a
// daily limit on command creations.
func (d *Discord) register(ctx context.Context) error {
	app := d.applicationID()
	if app == "" {
		return errors.New("discord: register commands: READY carried no application id")
	}
	scope := "global"
	if d.guildID != "" {
		scope = "guild " + d.guildID
	}
	remote, err := d.s.ApplicationCommands(app, d.guildID, discordgo.WithContext(ctx))
	if err != nil {
		return d.fail("list commands", err)
	}
	if sameCommands(remote, d.app) {
		d.log.Info("discord: commands up to date", "commands", len(d.app), "scope", scope)
		return nil
	}
	if _, err := d.s.ApplicationCommandBulkOverwrite(app, d.guildID, d.app, discordgo.WithContext(ctx)); err != nil {
		return d.fail("register commands", err)
	}
	d.log.Info("discord: commands registered", "commands", len(d.app), "scope", scope)
	return nil
}
