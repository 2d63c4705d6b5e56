// Package e2e tests the suite as its users see it: the real binaries
// (gateway and services) started as processes over a throwaway ClickHouse
// loaded by the data tool, and requests sent to the gateway.
package e2e
