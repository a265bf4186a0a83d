// Package contract checks HTTP traffic against the OpenAPI 3 documents that
// describe the payment APIs.
//
// The documents are the single source of truth for the generated clients, so
// every test (and the in-process simulator) routes its traffic through a
// Validator: a request or response the documents do not allow is a bug either
// in the code or in the documents, and both must be found before a real
// provider sees the traffic.
//
// A Validator is built from documents in an fs.FS. Each document may refer to
// a sibling document (for example "common.yaml") relative to its own path.
// Routing ignores scheme and host, so the same documents match the sandbox,
// production and a local httptest server alike; only the base path of the
// declared servers counts.
//
// Client side, wrap the transport and assert at the end of the test:
//
//	v, err := contract.New(api.FS(), "momo/provisioning.yaml", "momo/collection.yaml")
//	require.NoError(t, err)
//	httpClient := &http.Client{Transport: v.Transport(http.DefaultTransport)}
//	// ... drive the client against an httptest server ...
//	require.Empty(t, v.Violations())
//
// Server side, wrap the handler of a simulator the same way:
//
//	srv := httptest.NewServer(v.Middleware(simulator))
//
// Neither wrapper ever blocks or alters the traffic: violations are recorded
// and reported by Violations, so one run shows every problem at once. To check
// a single exchange directly, use ValidateRequest and ValidateResponse.
//
// The checks go beyond plain schema validation in a few places, each because
// of how the real services behave:
//   - security requirements are satisfied by the presence of the credential
//     (API key header, "Basic …" or "Bearer …" Authorization), not its value;
//   - a status the operation does not declare is a violation;
//   - string formats "uuid" and "uri" are enforced;
//   - a response whose document marks it with "x-may-be-empty: true" may come
//     with no body at all, since the services answer some errors that way.
package contract
