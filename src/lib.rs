//! # barometro
//!
//! Reads the Excel workbooks that Italian municipalities keep for their performance objectives
//! (PIAO, D.Lgs 150/2009) into a typed model in which every value keeps its raw text, its parsed
//! form and the cell it came from.
//!
//! Data flows one way: [`read`] → [`model`] → [`rules`] → [`report`] (the report, its
//! templates, the comparison workbook) and [`fill`] (the results written into a copy of the
//! office's own workbook). [`batch`] reports every workbook of a folder; [`compare`] sets two evaluations side by side; [`input_workbook`]
//! is the ready-to-fill workbook `barometro init` writes; [`value`] reads Italian cell values.
//!
//! ```no_run
//! use barometro::read::{read_workbook, ReadOptions};
//!
//! let ente = read_workbook("obiettivi.xlsx", &ReadOptions::default())?;
//! println!("{} aree, {} obiettivi", ente.areas.len(), ente.objective_count());
//! # Ok::<(), barometro::read::ReadError>(())
//! ```

pub mod batch;
pub mod compare;
pub mod fill;
pub mod input_workbook;
pub mod model;
pub mod read;
pub mod report;
pub mod rules;
pub mod value;
