package commands

// OptionType is the kind of value an option takes.
type OptionType int

// Option types.
const (
	String OptionType = iota
	Number
	Integer
)

// Option is a named argument of a command; Discord shows options as fields, other
// platforms take them as words in order.
type Option struct {
	Name         string
	Summary      string
	Type         OptionType
	Required     bool
	Min, Max     float64 // bounds for numbers, used when Max > Min
	MaxLength    int     // for strings, 0 for the platform's limit
	Autocomplete bool    // the platform may ask the bot to complete the value
}

// Sub is a subcommand, such as "size" in "/needle size".
type Sub struct {
	Name    string
	Summary string
	Options []Option
}

// Command describes one command. The Discord slash-command registration, the Telegram
// command menu and /help are all generated from these descriptions.
type Command struct {
	Name    string   // lower-case, as typed after the slash
	Summary string   // one line, at most 100 characters
	Usage   string   // the argument hint shown by /help, e.g. "<topic>"
	Subs    []Sub    // subcommands, if any
	Options []Option // options of a command without subcommands
	Private bool     // replies hold personal data: ephemeral in servers
	Slow    bool     // may take longer than a platform's reply window: acknowledge first
}
