// Package schema turns Go types into JSON Schema documents and validates
// documents against them. natq publishes a task's input and output
// schemas in its task definition, so that producers in any language know
// what to send, and validates each input before the handler runs.
//
// [Reflect] describes a Go type with github.com/invopop/jsonschema, as a
// draft 2020-12 document, and compiles it with
// github.com/santhosh-tekuri/jsonschema/v5. [ReflectInput] does the same
// for a task's input. [Compile] compiles a document published by another
// SDK. A [Schema] validates documents and returns a [ValidationError] that
// names every failing field on one line.
//
// # What a reflected schema accepts
//
// The rule is that every document encoding/json makes of a value of the
// type passes the type's schema. A worker must never refuse what a Go
// producer of the same type sends, nor its own output. A plain invopop
// reflection breaks that rule in several places, so the package walks the
// Go type alongside invopop's output and adjusts it:
//
//   - A nil slice, map, pointer or interface encodes as null, so those
//     properties also accept null: "type" becomes a list such as
//     ["array","null"], or the schema is wrapped in an anyOf with a null
//     branch where "type" alone does not decide (a $ref, an enum).
//   - Struct members follow encoding/json: a shallower field hides a
//     deeper one, ambiguous names are dropped, and "required" lists the
//     members encoding/json always writes, which excludes omitempty and
//     omitzero fields and those promoted from an embedded pointer.
//   - A type with a MarshalJSON method may write anything, so it accepts
//     any value, unless it describes itself with a JSONSchema method for
//     invopop, which is then trusted. A MarshalText type is any string.
//     When only the pointer type has the method, encoding/json uses it
//     for addressable values only, so such a type accepts any value.
//   - Slices of any byte type are base64 strings, maps with signed
//     integer keys accept negative keys, and maps whose keys have a
//     MarshalText method accept any key.
//
// Structs still allow no additional properties, and jsonschema struct tags
// (minimum, pattern, format, enum...) still apply.
//
// Definitions go in $defs, one per named struct, slice or map type, under
// the type's name. A second type of the same name, from another package or
// another instance of a generic type, is qualified by its package and, if
// needed, numbered. Keys use only letters, digits, '_', '.' and '-'.
// Recursive types refer to their own definition.
//
// # Inputs
//
// An input travels as a JSON object whose top-level fields runId and
// dropResultOnSuccess belong to the natq envelope. [ReflectInput] refuses
// a type that would not encode as an object or that declares one of those
// names, and declares both as optional properties of the root, with the
// rules the worker applies (a run id must be a valid KV key). A document
// carrying them then passes the published schema in any validator, even
// though struct schemas forbid other properties.
//
// # Validation
//
// [Schema.Validate] takes a document as encoding/json decodes it with
// Decoder.UseNumber. Format assertion is on: a string declared
// "date-time", "email", "uuid" and the like must be one. time.Time always
// encodes as a valid date-time.
//
// [Schema.Accepts] is the fast path a worker takes first: it checks the
// JSON text in place, with no decoding and no allocation for the keywords
// reflection produces, and answers yes only when Validate would. When it
// says no, or cannot tell (a number with more than 15 digits against a
// bound, an escaped string whose content matters, a keyword it does not
// cover, such as oneOf, not or multipleOf), Validate gives the verdict
// and the message.
//
// # Limitations
//
// A member whose schema invopop took from another field than the one
// encoding/json writes (a shadowed embedded field, a field tagged
// jsonschema:"-" or with an invalid json name) is reflected again from its
// type alone, so its jsonschema tag keywords are lost. Because "required"
// follows encoding/json, jsonschema:"required" has no effect on an
// omitempty field. url.URL has no marshaler and is any object. A struct
// that embeds a pointer to itself is refused, as invopop would not
// terminate. A document given to Compile may not refer to other documents:
// nothing is fetched. The error text always begins "invalid input", also
// when an output is validated; use [ValidationError.Failures] to word it
// differently. An enum failure shows numbers as quoted strings, as the
// validator prints them.
package schema
