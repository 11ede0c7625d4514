//! The tables, as diesel sees them on both backends (migrations/*/ hold the DDL), one module per
//! area of the product. Repositories import tables from the module of their area.

pub mod accounts;
pub mod allocation;
pub mod hr;
pub mod pipeline;
pub mod portal;
