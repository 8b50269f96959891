"""Exposome x cohort demonstrator (mental health).

A synthetic cohort in the 13 Saxon districts with monthly environmental exposures (PM2.5,
NO2, temperature and heat days, green space) and known, built-in effects (`generate`), linked
by place and by a time window before each visit (`linkage`), analysed with a linear mixed
model and a logistic model (`models`), with every printed table disclosure-checked
(`report`, using `kimed_demos.disclosure`). notebooks/exposome_cohort.ipynb calls these.
"""
