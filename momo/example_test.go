package momo_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/momoauth"
	"github.com/paykit-go/paykit/gen/momo/collection"
	"github.com/paykit-go/paykit/gen/momo/common"
	"github.com/paykit-go/paykit/gen/momo/provisioning"
	"github.com/paykit-go/paykit/momo"
)

// Example runs the sandbox flow end to end against an in-process stand-in for the MoMo
// sandbox: provision an API user and key, then request payments from a number that
// succeeds and one that rejects, and read their final status.
func Example() {
	gateway := newExampleGateway()
	defer gateway.Close()
	ctx := context.Background()
	keys := momoauth.SubscriptionKeys{Collection: "example-collection-key"}

	// Sandbox provisioning needs only a subscription key.
	c, err := momo.New(momo.Config{BaseURL: gateway.URL, SubscriptionKeys: keys})
	if err != nil {
		panic(err)
	}
	userID := momo.NewReferenceID()
	created, err := c.Provisioning.CreateApiUserWithResponse(ctx,
		&provisioning.CreateApiUserParams{XReferenceId: userID},
		provisioning.ApiUser{ProviderCallbackHost: "shop.example"})
	if err != nil {
		panic(err)
	}
	key, err := c.Provisioning.CreateApiKeyWithResponse(ctx, userID)
	if err != nil {
		panic(err)
	}
	fmt.Println("API user:", created.StatusCode(), "API key:", key.StatusCode())

	// Payments need the API user too; its token is fetched once and reused.
	c, err = momo.New(momo.Config{
		BaseURL:          gateway.URL,
		SubscriptionKeys: keys,
		APIUser:          momoauth.APIUser{ID: userID.String(), Key: auth.Secret(key.JSON201.ApiKey)},
	})
	if err != nil {
		panic(err)
	}
	for _, payer := range []string{"56733123453", "46733123451"} {
		ref := momo.NewReferenceID()
		accepted, err := c.Collection.RequestToPayWithResponse(ctx,
			&collection.RequestToPayParams{XReferenceId: ref},
			common.RequestToPay{
				Amount: "100", Currency: "EUR", ExternalId: "order-17",
				Payer:        common.Party{PartyIdType: "MSISDN", PartyId: payer},
				PayerMessage: "Order 17", PayeeNote: "Order 17",
			})
		if err != nil {
			panic(err)
		}
		status, err := c.Collection.GetRequestToPayStatusWithResponse(ctx, ref, &collection.GetRequestToPayStatusParams{})
		if err != nil {
			panic(err)
		}
		r := status.JSON200
		fmt.Printf("pay from %s: %d, then %s %s%s\n", payer, accepted.StatusCode(), r.Status, r.Reason.Code, r.FinancialTransactionId)
	}
	fmt.Println("token requests:", gateway.tokens)
	// Output:
	// API user: 201 API key: 201
	// pay from 56733123453: 202, then SUCCESSFUL 1234567890
	// pay from 46733123451: 202, then FAILED APPROVAL_REJECTED
	// token requests: 1
}

// exampleGateway is a minimal stand-in for the MoMo sandbox, enough for Example: it keeps
// API users, checks credentials and answers request to pay with the sandbox's test numbers.
type exampleGateway struct {
	*httptest.Server
	mu       sync.Mutex
	users    map[string]string // API user id -> API key
	payments map[string]common.RequestToPay
	tokens   int
}

func newExampleGateway() *exampleGateway {
	g := &exampleGateway{users: map[string]string{}, payments: map[string]common.RequestToPay{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1_0/apiuser", func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.users[r.Header.Get("X-Reference-Id")] = ""
		w.WriteHeader(http.StatusCreated)
	})
	mux.HandleFunc("POST /v1_0/apiuser/{id}/apikey", func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		defer g.mu.Unlock()
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		g.users[r.PathValue("id")] = hex.EncodeToString(b)
		exampleJSON(w, http.StatusCreated, map[string]string{"apiKey": g.users[r.PathValue("id")]})
	})
	mux.HandleFunc("POST /collection/token/", func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		defer g.mu.Unlock()
		user, key, ok := r.BasicAuth()
		if !ok || g.users[user] == "" || g.users[user] != key {
			exampleJSON(w, http.StatusInternalServerError, map[string]string{"error": "login_failed"})
			return
		}
		g.tokens++
		exampleJSON(w, http.StatusOK, map[string]any{"access_token": "token-for-" + user, "token_type": "access_token", "expires_in": 3600})
	})
	mux.HandleFunc("POST /collection/v1_0/requesttopay", func(w http.ResponseWriter, r *http.Request) {
		var p common.RequestToPay
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer token-for-") || json.NewDecoder(r.Body).Decode(&p) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		g.payments[r.Header.Get("X-Reference-Id")] = p
		w.WriteHeader(http.StatusAccepted)
	})
	mux.HandleFunc("GET /collection/v1_0/requesttopay/{ref}", func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		p, ok := g.payments[r.PathValue("ref")]
		g.mu.Unlock()
		if !ok {
			exampleJSON(w, http.StatusNotFound, map[string]string{"code": "RESOURCE_NOT_FOUND", "message": "Requested resource was not found."})
			return
		}
		res := map[string]any{"amount": p.Amount, "currency": p.Currency, "externalId": p.ExternalId, "payer": p.Payer, "status": "SUCCESSFUL", "financialTransactionId": "1234567890"}
		if p.Payer.PartyId == "46733123451" {
			res["status"], res["reason"] = "FAILED", "APPROVAL_REJECTED"
			delete(res, "financialTransactionId")
		}
		exampleJSON(w, http.StatusOK, res)
	})
	g.Server = httptest.NewServer(mux)
	return g
}

func exampleJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
