"""The translators' workflow: catalogs, pseudo-locale, translator packs, import and coverage.

Used by ``mangnon i18n``; the running bot needs none of it (it only reads catalogs and content).
"""
