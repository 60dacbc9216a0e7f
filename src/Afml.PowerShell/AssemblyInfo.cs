// Cmdlets are added per file under Commands/.
