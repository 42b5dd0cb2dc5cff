// Package order is the order aggregate.
package order
