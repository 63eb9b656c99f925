"""essdash: the steering dashboard of Lille Métropole's ESS action plan (PMDE 2011–2014).

Everything here but ``essdash.ui`` is plain Python that works without Streamlit.
"""
