"""微心愿 Micro-wishes: posted by a community, claimed and fulfilled by members, confirmed by the
community or by the resident. The states and who moves a wish between them: see `models`."""
