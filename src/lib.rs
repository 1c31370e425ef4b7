//! # barometro
//!
//! Reads the Excel workbooks that Italian municipalities keep for their performance objectives
//! (PIAO, D.Lgs 150/2009) into a typed model in which every value keeps its raw text, its parsed
//! form and the cell it came from.
//!
//! Data flows one way: [`read`] → [`model`] (→ rules → report, in later modules).
//!
//! ```no_run
//! use barometro::read::{read_workbook, ReadOptions};
//!
//! let ente = read_workbook("obiettivi.xlsx", &ReadOptions::default())?;
//! println!("{} aree, {} obiettivi", ente.areas.len(), ente.objective_count());
//! # Ok::<(), barometro::read::ReadError>(())
//! ```

pub mod batch;
pub mod model;
pub mod read;
pub mod report;
pub mod rules;
pub mod value;
