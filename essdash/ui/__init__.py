"""The ui layer, the only Streamlit-aware code: page frame, URL filters, cached reads, views,
forms and the benchmark's page runner."""
