//! The HTTP integration tests: the real application on a random port against a fresh database, each
//! test on SQLite and on PostgreSQL where it concerns storage. One binary (one link on a small
//! machine), a module per feature, as `zero2prod` lays its tests out.

#[macro_use]
mod support;

mod audit;
mod bad_input;
mod containment;
mod expiry;
mod form_posts;
mod headers;
mod inactive;
mod leaks;
mod limits;
mod notifications;
mod operations;
mod people;
mod rotation;
mod scopes;
mod sessions;
mod sign_in;
mod startup;
mod sweeps;
mod token_cache;
mod tokens;
mod tokens_page;
mod usage;
mod webhooks;
