//! The rota optimiser on its own index-based model (see README.md of this crate).
