package discord

import (
	"bytes"
	"regexp"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	"github.com/needlebot/needlebot/internal/domain"
	"github.com/needlebot/needlebot/internal/text"
)

// Discord's message limits.
const (
	maxContent     = 2000 // characters in a message, counted in UTF-16 units as the client does
	maxRows        = 5    // action rows under a message
	maxRowButtons  = 5    // buttons in an action row
	maxLabel       = 80   // characters in a button label
	maxCustomID    = 100  // bytes of a button's custom_id
	maxChoices     = 25   // autocomplete choices
	maxChoiceChars = 100  // characters in a choice's name and value
)

// message is one Discord message of a rendered reply.
type message struct {
	content    string
	components []discordgo.MessageComponent
	file       *domain.File
}

// noMentions stops replies that echo user text from pinging anyone.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// files returns the attachment with a fresh reader, so a message can be sent more than once.
func (m message) files() []*discordgo.File {
	if m.file == nil {
		return nil
	}
	return []*discordgo.File{{Name: m.file.Name, ContentType: m.file.Type, Reader: bytes.NewReader(m.file.Data)}}
}

func (m message) response(flags discordgo.MessageFlags) *discordgo.InteractionResponseData {
	return &discordgo.InteractionResponseData{
		Content: m.content, Components: m.components, Files: m.files(), Flags: flags, AllowedMentions: noMentions(),
	}
}

func (m message) edit() *discordgo.WebhookEdit {
	return &discordgo.WebhookEdit{
		Content: &m.content, Components: &m.components, Files: m.files(), AllowedMentions: noMentions(),
	}
}

func (m message) followup(flags discordgo.MessageFlags) *discordgo.WebhookParams {
	return &discordgo.WebhookParams{
		Content: m.content, Components: m.components, Files: m.files(), Flags: flags, AllowedMentions: noMentions(),
	}
}

func (m message) send() *discordgo.MessageSend {
	return &discordgo.MessageSend{
		Content: m.content, Components: m.components, Files: m.files(), AllowedMentions: noMentions(),
	}
}

// render turns a reply into Discord messages: the text escaped for Discord's markdown with the
// title in bold, split where it exceeds a message, and the buttons and file on the last one.
// Every message has a non-nil component list, so an update also removes old buttons.
func (d *Discord) render(r domain.Reply) []message {
	text := escape(strings.TrimRight(r.Text, "\n"))
	if r.Title != "" {
		text = "**" + escape(r.Title) + "**\n" + text
	}
	var out []message
	for _, chunk := range split(text, maxContent) {
		out = append(out, message{content: chunk, components: []discordgo.MessageComponent{}})
	}
	last := &out[len(out)-1]
	last.components = d.components(r.Buttons)
	last.file = r.File
	return out
}

// components lays buttons out in action rows. Rows that fit Discord's five by five are kept as
// the handler arranged them; otherwise the buttons are packed five to a row. Buttons beyond 25
// and buttons whose data Discord cannot carry are left out and logged.
func (d *Discord) components(rows [][]domain.Button) []discordgo.MessageComponent {
	var valid [][]domain.Button
	fits := len(rows) <= maxRows
	for _, row := range rows {
		var kept []domain.Button
		for _, b := range row {
			if b.Data == "" || len(b.Data) > maxCustomID {
				d.log.Warn("discord: button left out: its data is empty or longer than 100 bytes", "label", b.Label)
				continue
			}
			kept = append(kept, b)
		}
		if len(kept) > 0 {
			valid = append(valid, kept)
			fits = fits && len(kept) <= maxRowButtons
		}
	}
	if !fits {
		var flat []domain.Button
		for _, row := range valid {
			flat = append(flat, row...)
		}
		if len(flat) > maxRows*maxRowButtons {
			d.log.Warn("discord: buttons left out: a message holds 25", "buttons", len(flat))
			flat = flat[:maxRows*maxRowButtons]
		}
		valid = nil
		for i := 0; i < len(flat); i += maxRowButtons {
			valid = append(valid, flat[i:min(i+maxRowButtons, len(flat))])
		}
	}
	out := []discordgo.MessageComponent{}
	for _, row := range valid {
		var buttons []discordgo.MessageComponent
		for _, b := range row {
			label := text.Clip(b.Label, maxLabel)
			if label == "" {
				label = "…"
			}
			buttons = append(buttons, discordgo.Button{Label: label, Style: discordgo.SecondaryButton, CustomID: b.Data})
		}
		out = append(out, discordgo.ActionsRow{Components: buttons})
	}
	return out
}

var (
	// markdown is every character Discord's markdown gives a meaning to anywhere in a line.
	markdown = strings.NewReplacer(`\`, `\\`, `*`, `\*`, `_`, `\_`, "`", "\\`", `~`, `\~`, `|`, `\|`, `[`, `\[`, `<`, `\<`)
	// links are left unescaped, or Discord would link to a URL with backslashes in it.
	links = regexp.MustCompile(`https?://[^\s<]+`)
)

// escape makes plain text show literally in Discord: markdown characters are escaped, and so
// are the characters that start a quote, a heading or subtext at the start of a line.
func escape(s string) string {
	var sb strings.Builder
	at := 0
	for _, m := range links.FindAllStringIndex(s, -1) {
		sb.WriteString(markdown.Replace(s[at:m[0]]))
		sb.WriteString(s[m[0]:m[1]])
		at = m[1]
	}
	sb.WriteString(markdown.Replace(s[at:]))
	lines := strings.Split(sb.String(), "\n")
	for i, l := range lines {
		if t := strings.TrimLeft(l, " "); strings.HasPrefix(t, ">") || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "-#") {
			lines[i] = l[:len(l)-len(t)] + `\` + t
		}
	}
	return strings.Join(lines, "\n")
}

// split cuts text into pieces of at most limit UTF-16 units, at a line break where possible,
// else at a space, never inside a character or right after an escaping backslash.
func split(text string, limit int) []string {
	var out []string
	for units(text) > limit {
		cut, n := 0, 0
		for i, r := range text {
			if n+utf16.RuneLen(r) > limit {
				break
			}
			n += utf16.RuneLen(r)
			cut = i + utf8.RuneLen(r)
		}
		head := text[:cut]
		if i := strings.LastIndex(head, "\n"); i > 0 {
			cut = i
		} else if i := strings.LastIndex(head, " "); i > 0 {
			cut = i
		} else {
			for cut > 1 && text[cut-1] == '\\' {
				cut--
			}
		}
		out = append(out, strings.TrimRight(text[:cut], " \n"))
		text = strings.TrimLeft(text[cut:], " \n")
	}
	return append(out, text)
}

func units(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
