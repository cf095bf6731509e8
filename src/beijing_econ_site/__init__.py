"""beijing-econ-site: a static data-journalism site generator. Every figure is checked against its
archived source; a site's profile (data/site.yaml) says what the site is about."""
