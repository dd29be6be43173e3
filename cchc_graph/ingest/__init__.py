"""ingest: files on disk -> SourceFile -> NormalisedText."""
