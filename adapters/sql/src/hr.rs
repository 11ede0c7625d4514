//! Repositories of this area (see the module list in lib.rs).
