package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/fulfillkit/fulfill"
)

// keyring maps API keys to the owner (merchant or 3PL client) they act for.
// Keys are kept as SHA-256 digests and compared in constant time, so neither
// a key's content nor its length leaks through response timing.
type keyring struct {
	digests [][sha256.Size]byte
	owners  []fulfill.OwnerID
}

// parseKeys reads "key=owner,key=owner".
func parseKeys(spec string) (*keyring, error) {
	k := &keyring{}
	for pair := range strings.SplitSeq(spec, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		key, owner, ok := strings.Cut(pair, "=")
		if !ok || key == "" {
			return nil, fmt.Errorf("api keys: %q is not key=owner", pair)
		}
		o := fulfill.OwnerID(owner)
		if err := o.Validate(); err != nil {
			return nil, fmt.Errorf("api keys: %w", err)
		}
		k.digests = append(k.digests, sha256.Sum256([]byte(key)))
		k.owners = append(k.owners, o)
	}
	if len(k.owners) == 0 {
		return nil, errors.New("api keys: none configured")
	}
	return k, nil
}

// owner returns the owner of key. It looks at every entry whatever it finds,
// so the time taken does not depend on which key matched.
func (k *keyring) owner(key string) (fulfill.OwnerID, bool) {
	d := sha256.Sum256([]byte(key))
	found := -1
	for i := range k.digests {
		if subtle.ConstantTimeCompare(d[:], k.digests[i][:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return "", false
	}
	return k.owners[found], true
}

type ownerKey struct{}

// ownerOf returns the owner the request was authenticated as.
func ownerOf(ctx context.Context) fulfill.OwnerID {
	o, _ := ctx.Value(ownerKey{}).(fulfill.OwnerID)
	return o
}

// authenticate requires "Authorization: Bearer KEY" (or "X-API-Key: KEY")
// and puts the key's owner in the request's context.
func (k *keyring) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("X-API-Key")
		if auth := r.Header.Get("Authorization"); key == "" && auth != "" {
			if scheme, token, ok := strings.Cut(auth, " "); ok && strings.EqualFold(scheme, "Bearer") {
				key = strings.TrimSpace(token)
			}
		}
		owner, ok := k.owner(key)
		if key == "" || !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="fulfill"`)
			writeProblem(w, r, problem{Status: http.StatusUnauthorized, Title: "missing or unknown API key", Kind: "unauthorized"})
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ownerKey{}, owner)))
	})
}
