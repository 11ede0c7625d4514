//! Tables of this area; see the migrations of the same name.
