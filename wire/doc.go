// Package wire holds the few value types whose form on the wire is looser than the APIs
// document, so that the generated clients decode what the gateways really send.
//
// The OpenAPI documents under api/ declare the wire truth (an amount is a decimal string, a
// MoMo reason is a code string) and point the generator at these types with x-go-type. The
// types decode every form seen in recorded traffic and vendor examples (an amount sent as a
// JSON number, a reason sent as a {code,message} object) and encode the documented one.
package wire
