//! Shared helpers for the integration tests (`mod common; use common::fixtures::*;`).
#![allow(dead_code)]

pub mod casalgrande;
pub mod casorate;
pub mod cells;
pub mod cli;
pub mod fixtures;
pub mod libreoffice;
pub mod package;
pub mod terre;
pub mod terre_cards;
