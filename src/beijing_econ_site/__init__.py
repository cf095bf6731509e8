"""beijing-econ-site: a static data-journalism site about Beijing's economy, every figure checked against its source."""
