//! Storage tests of this area.
