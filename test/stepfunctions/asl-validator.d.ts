/** Types for asl-validator 4 (the package ships none): `validator(definition, options?)`. */
declare module 'asl-validator' {
  interface AslValidationError {
    'Error code': string;
    Message: string;
  }
  interface AslValidationOptions {
    checkPaths?: boolean;
    checkArn?: boolean;
  }
  interface AslValidationResult {
    isValid: boolean;
    errors: AslValidationError[];
    errorsText(separator?: string): string;
  }
  /** Note: adds a QueryLanguage field to every state of the definition it is given. */
  function validator(definition: unknown, options?: AslValidationOptions): AslValidationResult;
  export = validator;
}
