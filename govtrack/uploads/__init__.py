"""Files people upload: CSV rosters read as spreadsheet programs write them."""
