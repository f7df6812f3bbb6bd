"""Statistics store: variables, observations with history, reporting forms, validation rules."""
