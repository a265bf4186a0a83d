package validate

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// jsonValue is one value of a request body as its JSON text, without surrounding space. The
// checks read a handful of fields of a body they have already checked with json.Valid, so
// they find each field by scanning the text rather than decoding the whole body into maps:
// on a request to pay that saves some fifty allocations per call, on the checkout's hot path.
// It is a string so that values and keys are substrings of the body, not copies.
type jsonValue string

// kind is the value's first byte: '{', '[', '"', 't', 'f', 'n', or '-'/a digit for a number.
func (v jsonValue) kind() byte {
	if len(v) == 0 {
		return 0
	}
	return v[0]
}

func (v jsonValue) isNull() bool   { return v.kind() == 'n' }
func (v jsonValue) isObject() bool { return v.kind() == '{' }
func (v jsonValue) isString() bool { return v.kind() == '"' }
func (v jsonValue) isNumber() bool { k := v.kind(); return k == '-' || (k >= '0' && k <= '9') }

// text returns a string value decoded, as encoding/json decodes it.
func (v jsonValue) text() string {
	inner := string(v[1 : len(v)-1])
	if !containsEscapeOrNonASCII(inner) {
		return inner
	}
	var s string
	_ = json.Unmarshal([]byte(v), &s) // the body passed json.Valid, so this cannot fail
	return s
}

// brief shows the value shortly, for the excerpt of a type problem: objects and arrays
// elided, strings decoded, numbers and literals as written.
func (v jsonValue) brief() string {
	switch v.kind() {
	case '{':
		return "{…}"
	case '[':
		return "[…]"
	case '"':
		return v.text()
	}
	return string(v)
}

// field returns the value of key in the object v, and whether it is there. With a key given
// twice the last one counts, as encoding/json and most servers read it.
func (v jsonValue) field(key string) (jsonValue, bool) {
	var found jsonValue
	ok := false
	v.eachField(func(k jsonValue, val jsonValue) {
		if keyEquals(k, key) {
			found, ok = val, true
		}
	})
	return found, ok
}

// eachField calls fn with the raw key (quoted) and the value of each member of the object v,
// in order.
func (v jsonValue) eachField(fn func(key, val jsonValue)) {
	if !v.isObject() {
		return
	}
	i := skipSpace(v, 1)
	for i < len(v) && v[i] != '}' {
		keyEnd := skipValue(v, i)
		key := v[i:keyEnd]
		start := skipSpace(v, skipSpace(v, keyEnd)+1) // past the colon
		end := skipValue(v, start)
		fn(key, v[start:end])
		i = skipSpace(v, end)
		if i < len(v) && v[i] == ',' {
			i = skipSpace(v, i+1)
		}
	}
}

// keyEquals reports whether the quoted JSON key k decodes to key, without allocating for
// the usual key that holds no escape.
func keyEquals(k jsonValue, key string) bool {
	inner := string(k[1 : len(k)-1])
	if !containsEscapeOrNonASCII(inner) {
		return inner == key
	}
	return k.text() == key
}

// containsEscapeOrNonASCII reports whether b needs encoding/json's decoding: an escape, or
// bytes that may not be valid UTF-8 (which it replaces).
func containsEscapeOrNonASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\\' || c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// lookup returns the value at the dotted path below the object v ("payer.partyId").
func (v jsonValue) lookup(path string) (jsonValue, bool) {
	cur := v
	for path != "" {
		var key string
		key, path, _ = strings.Cut(path, ".")
		next, ok := cur.field(key)
		if !ok {
			return "", false
		}
		cur = next
	}
	return cur, true
}

// member is one member of an object: its quoted key and its value.
type member struct{ key, val jsonValue }

// lookupIn returns the value at the dotted path below the object whose members are listed.
func lookupIn(members []member, path string) (jsonValue, bool) {
	key, rest, _ := strings.Cut(path, ".")
	for i := len(members) - 1; i >= 0; i-- { // from the end: a repeated key's last value counts
		if keyEquals(members[i].key, key) {
			return members[i].val.lookup(rest)
		}
	}
	return "", false
}

// skipSpace returns the index of the first byte at or after i that is not JSON white space.
func skipSpace(b jsonValue, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipValue returns the index just past the value that starts at i. b must be valid JSON
// (json.Valid), which is what lets this scan so little.
func skipValue(b jsonValue, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	default: // a number or a literal: up to the next delimiter
		for i < len(b) {
			switch b[i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return i
			}
			i++
		}
		return i
	}
}

// skipString returns the index just past the string whose opening quote is at i.
func skipString(b jsonValue, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

// validJSON reports whether s is one JSON value, surrounded by nothing but white space, as
// json.Valid does for bytes. It is written out here because it runs on every checked
// request and, fed the string the checks already hold, it costs a third of json.Valid.
func validJSON(s string) bool {
	_, ok := checkJSON(s, nil)
	return ok
}

// checkJSON is validJSON that also lists the members of s, when it is an object, appended
// to top: the checks need both, and one pass over the body gives both.
func checkJSON(s string, top []member) ([]member, bool) {
	p := jsonChecker{s: jsonValue(s), top: top}
	end, ok := p.value(skipSpace(p.s, 0), 0)
	return p.top, ok && skipSpace(p.s, end) == len(s)
}

// maxJSONDepth bounds nesting as encoding/json does, so that a hostile body cannot grow
// the stack without end.
const maxJSONDepth = 10000

// jsonChecker checks the grammar of RFC 8259 by recursive descent; each method takes the
// index where its part starts and returns the index past it and whether it was well formed.
type jsonChecker struct {
	s   jsonValue
	top []member // the members of the outermost object
}

func (p *jsonChecker) value(i, depth int) (int, bool) {
	if i >= len(p.s) {
		return i, false
	}
	switch c := p.s[i]; {
	case (c == '{' || c == '[') && depth >= maxJSONDepth:
		return i, false
	case c == '{':
		return p.object(i, depth+1)
	case c == '[':
		return p.array(i, depth+1)
	case c == '"':
		return p.str(i)
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number(i)
	case c == 't':
		return p.literal(i, "true")
	case c == 'f':
		return p.literal(i, "false")
	case c == 'n':
		return p.literal(i, "null")
	}
	return i, false
}

func (p *jsonChecker) object(i, depth int) (int, bool) {
	i = skipSpace(p.s, i+1)
	if i < len(p.s) && p.s[i] == '}' {
		return i + 1, true
	}
	ok := false
	for {
		if i >= len(p.s) || p.s[i] != '"' {
			return i, false
		}
		keyStart := i
		if i, ok = p.str(i); !ok {
			return i, false
		}
		key := p.s[keyStart:i]
		if i = skipSpace(p.s, i); i >= len(p.s) || p.s[i] != ':' {
			return i, false
		}
		valStart := skipSpace(p.s, i+1)
		if i, ok = p.value(valStart, depth); !ok {
			return i, false
		}
		if depth == 1 {
			p.top = append(p.top, member{key, p.s[valStart:i]})
		}
		if i = skipSpace(p.s, i); i >= len(p.s) {
			return i, false
		}
		switch p.s[i] {
		case '}':
			return i + 1, true
		case ',':
			i = skipSpace(p.s, i+1)
		default:
			return i, false
		}
	}
}

func (p *jsonChecker) array(i, depth int) (int, bool) {
	i = skipSpace(p.s, i+1)
	if i < len(p.s) && p.s[i] == ']' {
		return i + 1, true
	}
	ok := false
	for {
		if i, ok = p.value(i, depth); !ok {
			return i, false
		}
		if i = skipSpace(p.s, i); i >= len(p.s) {
			return i, false
		}
		switch p.s[i] {
		case ']':
			return i + 1, true
		case ',':
			i = skipSpace(p.s, i+1)
		default:
			return i, false
		}
	}
}

// str checks a string: no control characters, only the escapes JSON has. Bytes that are not
// UTF-8 pass, as in encoding/json, which replaces them when it decodes.
func (p *jsonChecker) str(i int) (int, bool) {
	for i++; i < len(p.s); i++ {
		switch c := p.s[i]; {
		case c == '"':
			return i + 1, true
		case c < 0x20:
			return i, false
		case c == '\\':
			i++
			if i >= len(p.s) {
				return i, false
			}
			switch p.s[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(p.s) || !isHex(p.s[i+1]) || !isHex(p.s[i+2]) || !isHex(p.s[i+3]) || !isHex(p.s[i+4]) {
					return i, false
				}
				i += 4
			default:
				return i, false
			}
		}
	}
	return i, false
}

// number checks -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *jsonChecker) number(i int) (int, bool) {
	if p.s[i] == '-' {
		i++
	}
	switch {
	case i < len(p.s) && p.s[i] == '0':
		i++
	case i < len(p.s) && p.s[i] >= '1' && p.s[i] <= '9':
		i = p.digits(i)
	default:
		return i, false
	}
	if i < len(p.s) && p.s[i] == '.' {
		start := i + 1
		if i = p.digits(start); i == start {
			return i, false
		}
	}
	if i < len(p.s) && (p.s[i] == 'e' || p.s[i] == 'E') {
		i++
		if i < len(p.s) && (p.s[i] == '+' || p.s[i] == '-') {
			i++
		}
		start := i
		if i = p.digits(start); i == start {
			return i, false
		}
	}
	return i, true
}

func (p *jsonChecker) digits(i int) int {
	for i < len(p.s) && p.s[i] >= '0' && p.s[i] <= '9' {
		i++
	}
	return i
}

func (p *jsonChecker) literal(i int, word string) (int, bool) {
	if strings.HasPrefix(string(p.s[i:]), word) {
		return i + len(word), true
	}
	return i, false
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}
