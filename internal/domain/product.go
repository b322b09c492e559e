package domain

// Product is a product or ingredient the diary recognises in what people write. The knowledge
// base lists them (kb.KB.Products) and hands them to the diary, so the names the diary logs are
// the names the knowledge base's guidance is checked against.
type Product struct {
	Name     string   // the name a session logs it under and replies show: "hyaluronic acid", "vitamin C"
	Synonyms []string // the other ways people write it: "ha", "sodium hyaluronate"
}
