//! Ports of this area.
