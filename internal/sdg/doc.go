// Package sdg holds migtrack's domain: the catalog of goals, targets,
// indicators and series, areas and their groupings, periods, observations,
// imports and their problems, and the error type every layer speaks.
//
// It imports nothing of ours, so every adapter (readers, store, engine, web)
// can depend on it without depending on each other.
package sdg
