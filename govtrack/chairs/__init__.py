"""Chair terms, rotation policies and succession: a committee never stays headless."""
