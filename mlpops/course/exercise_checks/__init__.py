"""One module per notebook (``nb01.py`` ...), each registering its exercises' checks."""
