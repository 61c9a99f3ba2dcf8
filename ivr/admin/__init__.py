"""Use cases shared by the command lines, the service and the web desk.

flows: load, check and publish the call flows; drafts: one flow's text from the
desk's editor to the service; users and passwords: who may log in to the desk;
recordings: copying recordings out of Asterisk and purging them by retention;
phones: the desk phones' SIP accounts, shown and given new passwords.
"""
