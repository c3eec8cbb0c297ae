package i18n

import (
	"strings"
	"unicode"
)

// Unsafe reports whether r may not appear in a name shown to others (an
// organisation's name, an attachment's file name): a control character, or
// one of the bidirectional formatting characters (U+061C, U+200E, U+200F,
// U+202A–U+202E, U+2066–U+2069). Those reorder what follows them, so that
// "invoice\u202Efdp.exe" reads as "invoiceexe.pdf", and a name could show
// as another organisation's. Text in a name is laid out by the page's own
// direction (dir="auto", <bdi>), which needs none of them.
func Unsafe(r rune) bool {
	switch {
	case unicode.IsControl(r):
		return true
	case r == 0x061C, r == 0x200E, r == 0x200F, 0x202A <= r && r <= 0x202E, 0x2066 <= r && r <= 0x2069:
		return true
	}
	return false
}

// HasUnsafe reports whether s holds a character Unsafe refuses.
func HasUnsafe(s string) bool { return strings.ContainsFunc(s, Unsafe) }
