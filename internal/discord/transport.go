package discord

import (
	"net/http"
	"net/url"

	"github.com/bwmarrin/discordgo"
)

// discordHost is the host in discordgo's endpoint variables, which are fixed when the program
// starts; requests to it are sent to the configured API URL instead.
var discordHost = hostOf(discordgo.EndpointDiscord)

func hostOf(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	return u.Host
}

// rewriter sends discordgo's REST requests to another scheme and host, such as a REST proxy
// or a fake Discord in tests, leaving every other request alone.
type rewriter struct {
	scheme, host string
	next         http.RoundTripper
}

// RoundTrip rewrites requests to discord.com and passes every request on.
func (t *rewriter) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != discordHost || (req.URL.Scheme == t.scheme && req.URL.Host == t.host) {
		return t.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.URL.Scheme, r.URL.Host, r.Host = t.scheme, t.host, ""
	return t.next.RoundTrip(r)
}
