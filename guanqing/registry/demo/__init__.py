"""Demo data at the scale of the article: Ningbo's divisions, the municipal organs, their members and
the households in difficulty they are paired with. `generate.load_demo()` builds it."""
