"""Write-back to the ERP: the outbox, its delivery, and the follow-up of what was delivered."""
