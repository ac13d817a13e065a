"""The yearly cycle around the master: the plan book, rollover, history, verify, backup, the
import of a printed report and the names of groups and forms."""
