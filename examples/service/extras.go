package main

import "net/http"

// extraRoutes registers the routes of the rates, shipments and returns
// handlers.
func (a *app) extraRoutes(mux *http.ServeMux) {}

// initExtras sets up the carriers, shipments and returns.
func (a *app) initExtras() error { return nil }
