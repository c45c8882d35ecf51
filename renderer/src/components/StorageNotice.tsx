export function StorageNotice() {
  return (
    <p role="status" className="notice">
      No system keychain is available, so ClinicGate keeps your sign-in in memory only. You will need to sign in
      again after closing it.
    </p>
  );
}
