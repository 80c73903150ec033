// Package pbenc encodes composed resources straight into the protobuf
// Structs a function's response carries.
//
// It exists for speed: encoding a typed provider struct into a Struct is the
// hot path of every reconcile, and function-sdk-go's own conversion
// marshals each object to JSON, parses that into a map[string]any and
// copies the map into a Struct. This package walks the Go value by
// reflection instead, with a plan per Go type built once, and goes through
// JSON only for the values it cannot encode the same way by construction
// (types with their own marshal methods, time, interfaces, arrays, unusual
// json tags). The measured gain is in docs/performance.md.
//
// What it must produce is exactly what function-sdk-go produces with
// composed.From followed by resource.AsStruct, value for value: the same
// members, the same omitempty behaviour (go-json-experiment's, which leaves
// out empty structs), the same numbers down to -0, the same errors where
// the SDK fails. Its tests compare it with that conversion, the oracle,
// rather than with a reimplementation of it, so the two cannot drift from
// the SDK together; package main's tests compare every object the function
// composes, and fuzz every composed kind, the same way.
package pbenc
