"""ptsfast: fast, statistically sound Pivotal Token Search for Hugging Face causal LMs."""

__version__ = "0.1.0"
