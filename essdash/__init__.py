"""essdash: the steering dashboard of Lille Métropole's ESS action plan (PMDE 2011–2014).

The code is in layers, each a subpackage importing only those below it: ``domain`` → ``store`` and
``spreadsheet`` → ``read`` → ``write`` and ``render`` → ``ui``. Only ``ui`` (with ``app.py`` and
``pages/``) knows Streamlit.
"""
