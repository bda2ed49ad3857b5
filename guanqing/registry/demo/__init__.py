"""The registry's part of the demo at the scale of the article: Ningbo's divisions, the municipal
organs, their members, the households in difficulty and the accounts. `generate.build` is the demo
builder of order 10 (registered in `RegistryConfig.ready`); `guanqing.core.demo.load_demo()` runs
it before the other apps' builders."""
